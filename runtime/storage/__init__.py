"""Storage: one interface (base.Store), an in-memory store and the embedded TinyDB store."""
