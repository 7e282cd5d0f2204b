# media — a video or music player (mpv, vlc): display, sound and video
# decoding, no network. The files come with -v: brick do --profile media -v "$PWD:$PWD:ro" -- mpv film.mkv
description=media player without network: display, audio, GPU
gui
# sound and a GPU when the host has them: a profile's devices are wishes,
# what is missing is left out with one note (--no-audio: silent on purpose)
audio
gpu
shm-size=256m
die-with-parent
