# office — a word processor or office suite (abiword, libreoffice). No
# network, no sound, no GPU. Documents come with -v (or a home of its own:
# --home=DIR): brick do --profile office -v "$PWD:$PWD" -w "$PWD" -- abiword letter.odt
description=office app without network: display (Wayland or X11); share documents with -v
gui
die-with-parent
