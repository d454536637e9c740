"""How people and programs start chanwarden."""
