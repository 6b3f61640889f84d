#!/bin/sh
# The official image's kafka-consumer-groups.sh, on this image's jars.
exec kafka-run-class org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"
