"""Finding a way in: who knows whom, closest and company connections, intro paths, nurture."""
