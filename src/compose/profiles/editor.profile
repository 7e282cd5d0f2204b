# editor — a text editor (mousepad, gedit, ...). No network. The files to
# edit come with -v: brick do --profile editor -v "$PWD:$PWD" -w "$PWD" -- mousepad notes.txt
description=text editor without network: display (Wayland or X11); share files with -v "$PWD:$PWD" -w "$PWD"
gui
die-with-parent
