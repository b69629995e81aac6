"""Red Engine (红色引擎): the party-building management platform of a city education system."""
