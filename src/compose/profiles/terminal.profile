# terminal — a terminal emulator (xterm, foot, ...): the shell in it runs in
# the sandbox too, seeing the host's files read-only and a home of its own.
# A profile is a list of `brick do` flags without their dashes, one per line;
# what it asks of the host is a wish (missing: left out, one note), and flags
# given after --profile win (--no-FLAG turns one off). See docs/DESKTOP.md.
description=terminal emulator without network: display (Wayland or X11), dies with brick do
gui
die-with-parent
