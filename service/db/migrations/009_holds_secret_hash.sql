-- Only the hold's owner pays for it or cancels its payment (issue #10, item 6): POST /holds
-- answers a random hold secret once, and the service keeps only its SHA-256 (hex) here, so
-- a copy of the database cannot pay or cancel anyone's seat. Holds made before this column
-- existed keep NULL: no secret can match them, so they cannot be paid (hold the seat again).
-- ADD COLUMN IF NOT EXISTS: safe to re-run, like 007.
ALTER TABLE holds
  ADD COLUMN IF NOT EXISTS secret_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL;
