//! What the Schedules page reads and changes, through the application services (`Session`),
//! copied into plain row types the page renders. Blocking: called from the page's worker jobs only.
//! Must not hold egui types or decide what the page shows.
