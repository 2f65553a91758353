"""Speech: voice notes to text with faster-whisper, CPU or GPU."""
