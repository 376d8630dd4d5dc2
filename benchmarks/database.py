"""The benchmarks' own databases, on the PostgreSQL server named by BENCH_PG (default the local
one): never the data of a test run or of the portal."""

import os


def fresh_database(name: str) -> str:
    """Drop `name` if it exists (closing its connections), create it empty; return its URL."""
    import psycopg2

    server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    conn = psycopg2.connect(f"{server}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return f"{server}/{name}"
