"""Every write of recordings: the catalog importer (and, later, the store of claims and works)."""
