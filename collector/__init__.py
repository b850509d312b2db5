"""The front door: the Segment HTTP Tracking API (which RudderStack's SDKs speak too), landing
every accepted event durably in append-only files, and the load step that moves those files into
the raw schema in Segment's warehouse layout, exactly once."""
