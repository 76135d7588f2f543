"""Authentication, authorization and abuse: JWT attacks, the isolation matrix, fuzzing, RLS."""
