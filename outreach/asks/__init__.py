"""What members were asked to do: their answers by personal link, SMS lists."""
