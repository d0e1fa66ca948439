"""Market segments and their size, competitors, win/loss and research notes."""
