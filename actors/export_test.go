package actors

// RecentLimit is recentLimit, for the tests of package actors_test.
const RecentLimit = recentLimit
