"""The curated knowledge store: cited entries drawn from the five source documents."""
