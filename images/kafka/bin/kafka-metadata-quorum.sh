#!/bin/sh
# The official image's kafka-metadata-quorum.sh, on this image's jars.
exec kafka-run-class org.apache.kafka.tools.MetadataQuorumCommand "$@"
