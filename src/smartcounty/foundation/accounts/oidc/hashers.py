"""How client secrets are stored: salted HMAC-SHA256 (PBKDF2 with one round), not the password hasher.

A client secret is 128 random characters (DOT makes it; ``OidcClient.clean`` refuses one shorter than 32),
so a slow hash adds no protection a guess could get past, while argon2 at the password costs made every
token request spend ~0.2 s of CPU checking it. People's passwords keep argon2 (the first hasher)."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class ClientSecretHasher(PBKDF2PasswordHasher):
    algorithm = "sc_client_secret"
    iterations = 1
