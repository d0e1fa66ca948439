"""Line status updates, portfolio health, board and executive packs, digests."""
