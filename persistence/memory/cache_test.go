package memory

import (
	"testing"

	"github.com/bunnybook/bunnybook/persistence/cachetest"
)

func TestCache(t *testing.T) { cachetest.Run(t, NewCache(), false) }
