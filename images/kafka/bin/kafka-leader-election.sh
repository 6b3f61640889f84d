#!/bin/sh
# The official image's kafka-leader-election.sh, on this image's jars.
exec kafka-run-class org.apache.kafka.tools.LeaderElectionCommand "$@"
