-- Run once by the mariadb image on an empty data volume (docker-entrypoint-initdb.d).
-- Mirrors DATABASES and TICKETCTL_DB_ACCOUNTS in contracts/databases.ts and
-- ensureDatabases() in stack/components/mariadb.ts (tests/unit/compose.test.ts keeps them in
-- step): the service and the payment gateway get separate databases and accounts, so a
-- drill can starve one pool without touching the other, and ticketctl has three accounts
-- of least privilege: read (SELECT, PROCESS), operator (SELECT, INSERT, UPDATE) and drill
-- (the operator's, and SELECT on the gateway's ledger). None may DELETE or change the
-- schema: the service's migrations own it.
-- Users are '%' because their connections arrive through Toxiproxy in the pod. Root has
-- no TCP account (unix_socket only, run-mariadb). Local-only credentials: the port is
-- published on 127.0.0.1 alone.

CREATE DATABASE IF NOT EXISTS `ticketing` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'ticketing'@'%' IDENTIFIED BY 'ticketing';
GRANT ALL PRIVILEGES ON `ticketing`.* TO 'ticketing'@'%';

CREATE DATABASE IF NOT EXISTS `gateway` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'gateway'@'%' IDENTIFIED BY 'gateway';
GRANT ALL PRIVILEGES ON `gateway`.* TO 'gateway'@'%';

CREATE USER IF NOT EXISTS 'ticketctl_read'@'%' IDENTIFIED BY 'ticketctl_read';
GRANT SELECT ON `ticketing`.* TO 'ticketctl_read'@'%';
GRANT PROCESS ON *.* TO 'ticketctl_read'@'%';

CREATE USER IF NOT EXISTS 'ticketctl_operator'@'%' IDENTIFIED BY 'ticketctl_operator';
GRANT SELECT, INSERT, UPDATE ON `ticketing`.* TO 'ticketctl_operator'@'%';
GRANT PROCESS ON *.* TO 'ticketctl_operator'@'%';

CREATE USER IF NOT EXISTS 'ticketctl_drill'@'%' IDENTIFIED BY 'ticketctl_drill';
GRANT SELECT, INSERT, UPDATE ON `ticketing`.* TO 'ticketctl_drill'@'%';
GRANT SELECT ON `gateway`.* TO 'ticketctl_drill'@'%';
GRANT PROCESS ON *.* TO 'ticketctl_drill'@'%';

FLUSH PRIVILEGES;
