# mail — a mail client (sylpheed, claws-mail, thunderbird). A network of its
# own (--net user, slirp4netns): it reaches mail servers, not the host's
# loopback services nor its abstract sockets. Keep its mail with --home=DIR.
description=mail client: its own network (--net user), display (Wayland or X11); keep mail with --home=DIR
net=user
gui
die-with-parent
