# browser — a web browser (chromium, firefox).
# A profile is a list of `brick do` flags without their dashes, one per line:
# "gpu" is --gpu, "shm-size=1g" is --shm-size=1g. Copy this file to
# ~/.config/brick/profiles/ and edit it; flags given after --profile win
# (--no-FLAG turns one off: --profile browser --no-audio).
# What a profile asks of the host is a wish: sound, a GPU, Wayland or a
# device the host lacks is left out, all said in one note.
description=web browser: host network, display, audio, GPU, 1g /dev/shm, its own sandbox allowed
# the network: a browser needs more than loopback (note: with the host's
# network namespace the abstract X sockets are reachable; see docs/DESKTOP.md)
net=host
# Wayland when a compositor runs, else X11
gui
# sound when a server runs (PulseAudio or PipeWire), a GPU when there is one
audio
gpu
# Chromium keeps its renderers' memory in /dev/shm; 64m is not enough
shm-size=1g
# let the browser build its own sandbox (user, pid and net namespaces)
allow-nested-ns
die-with-parent
