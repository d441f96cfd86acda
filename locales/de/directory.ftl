# Organizations and contacts
