#!/bin/sh
# The official image's kafka-broker-api-versions.sh, on this image's jars.
exec kafka-run-class kafka.admin.BrokerApiVersionsCommand "$@"
