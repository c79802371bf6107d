"""StoryIndex: assigns copies of wire stories to stories."""
