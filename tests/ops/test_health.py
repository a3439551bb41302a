"""``GET /healthz``: 200 when the database and Redis answer, 503 saying which did not."""

import redis

from ledger import db
from wsgi import create_app


def test_healthz_when_database_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_when_redis_is_down(app, client):
    app.extensions["redis"] = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["redis"].startswith("error")
    assert response.json["database"] == "ok"


def test_healthz_when_database_is_down(database_url, redis_url, tmp_path):
    app = create_app({"DATABASE_URL": "postgresql://127.0.0.1:1/none", "REDIS_URL": redis_url})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"].startswith("error")
    db.configure(database_url)
