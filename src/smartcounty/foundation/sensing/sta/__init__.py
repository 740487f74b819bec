"""OGC SensorThings API 1.1 at ``/v1.1/`` over sensing's tables (see ``docs/sensorthings.md``).

``entities`` maps the entity sets onto sensing's models, ``filters`` compiles ``$filter`` to SQL,
``query`` runs the query options, ``views`` the HTTP, ``writes`` the creates/updates/deletes, ``publish``
the MQTT extension (new observations published after commit).
"""
