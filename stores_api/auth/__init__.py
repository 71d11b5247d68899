"""Authentication: password hashing, token issue and revocation, role checks."""
