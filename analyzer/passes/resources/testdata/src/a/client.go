package a

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

type Status struct{ OK bool }

// getStatus leaks the body when the status is not 200.
func getStatus(c *http.Client, url string) (*Status, error) {
	resp, err := c.Get(url) // want `resp.Body from c.Get is not closed on the path to the return at line \d+`
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	defer resp.Body.Close()
	var s Status
	return &s, json.NewDecoder(resp.Body).Decode(&s)
}

// ping never closes the body.
func ping(url string) (int, error) {
	resp, err := http.Get(url) // want `resp.Body from http.Get is never closed nor handed on`
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// fetch defers the close before checking the error: resp is nil when Get fails.
func fetch(url string) ([]byte, error) {
	resp, err := http.Get(url)
	defer resp.Body.Close() // want `defer resp.Body.Close\(\) runs before err is checked at line \d+; resp is nil when http.Get fails`
	if err != nil {
		return nil, err
	}
	return io.ReadAll(resp.Body)
}

// fetchOK is the correct form.
func fetchOK(c *http.Client, req *http.Request) ([]byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// open hands the response to its caller, who closes the body: quiet.
func open(url string) (*http.Response, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 500 {
		resp.Body.Close()
		return nil, errors.New(resp.Status)
	}
	return resp, nil
}

// stream hands the body to a helper that takes an io.ReadCloser and closes it: quiet.
func stream(url string, sink func(io.ReadCloser) error) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	return sink(resp.Body)
}
