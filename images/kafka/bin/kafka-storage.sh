#!/bin/sh
# The official image's kafka-storage.sh, on this image's jars.
exec kafka-run-class kafka.tools.StorageTool "$@"
