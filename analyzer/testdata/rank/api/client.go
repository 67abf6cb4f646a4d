// Package api serves users over HTTP and talks to the upstream directory.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// ErrNotFound is returned when the upstream has no such user.
var ErrNotFound = errors.New("api: not found")

// User is a directory entry.
type User struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Owner string `json:"owner"`
}

// Client calls the upstream directory service.
type Client struct {
	Base  string
	Token string
	HTTP  *http.Client
}

func (c *Client) newRequest(ctx context.Context, method, path string, q url.Values) (*http.Request, error) {
	u := c.Base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// FetchUser returns one user.
func (c *Client) FetchUser(ctx context.Context, id string) (*User, error) {
	req, err := c.newRequest(ctx, http.MethodGet, "/users/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch user %s: %w", id, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, ErrNotFound
	default:
		return nil, fmt.Errorf("fetch user %s: upstream said %s", id, resp.Status)
	}
	defer resp.Body.Close()
	var u User
	if err := json.NewDecoder(resp.Body).Decode(&u); err != nil {
		return nil, fmt.Errorf("fetch user %s: %w", id, err)
	}
	return &u, nil
}

// ListUsers returns one page of users and the token of the next page.
func (c *Client) ListUsers(ctx context.Context, pageToken string, size int) ([]User, string, error) {
	q := url.Values{"size": {strconv.Itoa(size)}}
	if pageToken != "" {
		q.Set("page", pageToken)
	}
	req, err := c.newRequest(ctx, http.MethodGet, "/users", q)
	if err != nil {
		return nil, "", err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, "", fmt.Errorf("list users: %s: %s", resp.Status, msg)
	}
	var page struct {
		Users []User `json:"users"`
		Next  string `json:"next"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(&page); err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	return page.Users, page.Next, nil
}

// Ping checks the upstream, retrying with backoff until it answers or ctx
// ends.
func (c *Client) Ping(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	timer := time.NewTimer(0)
	defer timer.Stop()
	for attempt := 1; ; attempt++ {
		select {
		case <-ctx.Done():
			return fmt.Errorf("ping after %d attempts: %w", attempt-1, ctx.Err())
		case <-timer.C:
		}
		req, err := c.newRequest(ctx, http.MethodHead, "/healthz", nil)
		if err != nil {
			return err
		}
		resp, err := c.HTTP.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
		}
		timer.Reset(backoff)
		backoff = min(backoff*2, 5*time.Second)
	}
}
