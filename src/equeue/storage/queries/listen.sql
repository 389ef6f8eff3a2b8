-- Statements of the LISTEN connections (equeue/listener.py).

-- name: check_listener
-- A liveness check: a connection whose network broke silently would never say so.
SELECT 1;
