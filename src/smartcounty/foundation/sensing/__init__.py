"""物联感知 / IoT sensing: OGC SensorThings-shaped things, datastreams and observations.

* Ingest: ``POST /api/v1/sensing/observations`` (a JSON list, or SensorThings ``CreateObservations``
  dataArray groups; also ``/CreateObservations``), permission ``sensing.ingest`` for the datastream's
  organisation; MQTT ``smartcounty ingest_mqtt`` on ``v1.1/Datastreams(<id>)/Observations`` (QoS 1,
  persistent session under ``SMARTCOUNTY_MQTT_CLIENT_ID``, acknowledged after commit; Django command
  names cannot contain "-", hence the underscore). ``SMARTCOUNTY_MQTT_INGEST=1`` also runs it inside
  ``smartcounty serve``. Mosquitto drops QoS 1 messages beyond ``max_queued_messages`` (default 1000)
  for a slow or absent subscriber even after acknowledging them to the publisher: raise it in production.
* Queries: ``/datastreams`` (latest values; filters property, thing, town, grid, bbox, online),
  ``/datastreams/<id>/observations``, ``/datastreams/<id>/aggregates`` (5min/1h/1day, Beijing time),
  ``/datastreams/<id>/health``, ``/things``, ``/deadletters``.
* Health: ``smartcounty sensing_health`` (and a background service of ``serve``) marks datastreams silent
  for longer than expected interval x 2.5 offline.
* Demo and simulator: ``smartcounty demo`` loads the network, ``smartcounty simulate`` feeds it
  (``serve`` does too unless ``SMARTCOUNTY_SIMULATE=0``).
"""
