package memory

import (
	"testing"

	"github.com/bunnybook/bunnybook/persistence/presencetest"
)

func TestPresence(t *testing.T) { presencetest.Run(t, NewPresence()) }
