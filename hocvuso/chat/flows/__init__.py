"""One module per feature of the conversation: parse the event, call the domain, render."""
