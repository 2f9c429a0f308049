"""The member's survey: personal and open links, one section per page, submission."""
