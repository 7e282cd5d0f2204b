# gui — any graphical application, no network.
description=a graphical app without network: display (Wayland or X11), GPU, dies with brick do
gui
gpu
shm-size=256m
die-with-parent
