"""OpenID Connect provider (一次注册，全网通行): county systems sign their users in through the platform.

Built on django-oauth-toolkit: clients (``models.OidcClient``, registered by a platform administrator in
the back office with exact redirect URIs and the scopes they may ask for), RSA signing keys kept in the
database and rotated (``keys``), the consent a person gave each client (``consent``), the claims and the
audit of every sign-in and token grant (``validator``), and the pages (``views``, ``urls``).
"""
