"""Kafka plumbing: the outbox, producer and consumer factories, topics, the embedded broker."""
