#!/bin/sh
# The official image's kafka-topics.sh, on this image's jars.
exec kafka-run-class org.apache.kafka.tools.TopicCommand "$@"
