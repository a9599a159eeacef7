"""Every write of recordings, their claims and works: `store` (one at a time) and `importer` (in bulk)."""
