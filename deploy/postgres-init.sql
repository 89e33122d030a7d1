-- Run once by the postgres image on an empty data volume (deploy/compose.yml): the
-- tracker store gets its own database beside the API's ("api", POSTGRES_DB).
CREATE DATABASE tracker OWNER guidance;
