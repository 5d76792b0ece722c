import sys
from pathlib import Path

# The app is a single module next to this folder (as the image has it).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
