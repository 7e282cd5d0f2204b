# media — a video or music player: display, sound and video decoding, no network.
description=media player without network: display, audio, GPU
gui
# sound when a server runs (PulseAudio or PipeWire), else a note
audio=auto
gpu
shm-size=256m
die-with-parent
