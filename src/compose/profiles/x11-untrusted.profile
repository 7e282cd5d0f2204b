# x11-untrusted — an X client that must not read other windows or inject
# input: an untrusted cookie (X SECURITY extension), no network, no GPU.
description=an untrusted X client: X SECURITY cookie, no network
x11=untrusted
die-with-parent
