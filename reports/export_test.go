package reports

// HoldTurn takes one of s's computation places until release is called,
// as a long report would.
func HoldTurn(s *Service) (release func()) {
	s.turns <- struct{}{}
	return func() { <-s.turns }
}
