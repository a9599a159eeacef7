"""The curator's rooms (see ../shared/reference/architecture.md): changes to shows, episodes,
cues and songs, each one transaction and one history entry."""
