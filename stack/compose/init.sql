-- Run once by the mariadb image on an empty data volume (docker-entrypoint-initdb.d).
-- Mirrors DATABASES in contracts/topology.ts and ensureDatabases() in
-- stack/components/mariadb.ts: the service and the payment gateway get separate databases
-- and accounts, so a drill can starve one pool without touching the other.
-- Users are '%' because their connections arrive from the toxiproxy container, not
-- localhost. Local-only credentials: the port is published on 127.0.0.1 alone.

CREATE DATABASE IF NOT EXISTS `ticketing` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'ticketing'@'%' IDENTIFIED BY 'ticketing';
GRANT ALL PRIVILEGES ON `ticketing`.* TO 'ticketing'@'%';
-- PROCESS lets the runbooks read SHOW PROCESSLIST (report 2.3.1) as the service's user.
GRANT PROCESS ON *.* TO 'ticketing'@'%';

CREATE DATABASE IF NOT EXISTS `gateway` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'gateway'@'%' IDENTIFIED BY 'gateway';
GRANT ALL PRIVILEGES ON `gateway`.* TO 'gateway'@'%';
GRANT PROCESS ON *.* TO 'gateway'@'%';

FLUSH PRIVILEGES;
